bt
continue
