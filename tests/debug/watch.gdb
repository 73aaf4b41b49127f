break main
continue
watch counter
continue
bt 1
set $before = $pc
stepi
print $pc != $before
delete
continue
