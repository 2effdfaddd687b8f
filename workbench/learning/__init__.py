"""Learning platform: executable S3 training (lessons, worksheets, quizzes, the RIS3 Assessment
Wheel), the good-practice library with transferability scores, and working-group spaces.

The lessons themselves are notebooks in ``training/lessons/``; this package holds what they call.
"""
