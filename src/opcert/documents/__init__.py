"""Documents: the printable certificate (PDF) in the 2019 national style."""
