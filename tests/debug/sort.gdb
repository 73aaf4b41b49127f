set breakpoint pending on
break write
continue
bt
delete
continue
