set pagination off
break basic.c:26
continue
reverse-stepi
reverse-step
bt 1
reverse-finish
continue
reverse-next
continue
delete
continue
