set pagination off
break basic.c:26
continue
break overwrite
reverse-continue
echo == first\n
info registers rip rsp rbp rax rdi
continue
reverse-continue
echo == second\n
info registers rip rsp rbp rax rdi
reverse-continue
delete
continue
