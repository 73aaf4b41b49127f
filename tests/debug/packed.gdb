continue
sharedlibrary
bt
continue
