// placeholder: implemented by the specs work
