set pagination off
continue
watch -l *canary
reverse-continue
bt 3
delete
continue
