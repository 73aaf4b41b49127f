break here
continue
print square(3)
print bump(5)
print total
print (unsigned long) strlen(s)
set var total = 99
print total
next
print total
continue
