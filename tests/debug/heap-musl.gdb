set pagination off
break heap.c:34
continue
watch -l *canary
reverse-continue
bt 3
delete
continue
