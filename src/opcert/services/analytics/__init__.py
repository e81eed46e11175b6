"""Exam-data analytics (issue 16): signals of anomalous exam data, their statistics and runs."""
