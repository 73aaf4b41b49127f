break square_plus
continue
next
next
print sq
stepi
stepi
continue
