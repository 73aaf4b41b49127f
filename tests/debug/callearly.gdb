python
try:
    gdb.execute("print square(3)")
except gdb.error as e:
    print("call failed: %s" % str(e).replace("\n", " "))
end
continue
