"""The Gradio web app: practice (trainees), persona studio (instructors), review (assessors)."""
