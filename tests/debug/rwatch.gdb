set pagination off
break basic.c:26
continue
watch counter
reverse-continue
bt 1
delete
continue
