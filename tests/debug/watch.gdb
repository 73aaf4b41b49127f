break main
continue
watch counter
continue
bt 1
delete
continue
