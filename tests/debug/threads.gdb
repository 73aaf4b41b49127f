break in_worker
continue
info threads
bt 1
continue
