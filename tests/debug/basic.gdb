break square_plus
continue
bt
print x
print counter
print label
finish
continue
