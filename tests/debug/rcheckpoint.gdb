set pagination off
break overwrite
continue
checkpoint
info registers rip
delete
break basic.c:26
continue
restart 1
echo == restarted\n
info registers rip
info checkpoints
delete
continue
