break here
continue
python
for i, expr in enumerate(["call (int) puts(msg)", "print square(4)", "print total"], 1):
    try:
        gdb.execute(expr)
    except gdb.error as e:
        print("call %d failed: %s" % (i, str(e).replace("\n", " ")))
end
continue
continue
