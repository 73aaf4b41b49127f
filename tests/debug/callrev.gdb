break here
continue
print bump(5)
reverse-continue
continue
print total
continue
