break add_turn
continue
print r
continue
print r
print total
delete
continue
