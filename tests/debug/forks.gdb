break child_work
continue
print k
bt 2
continue
