"""Server-rendered pages for people (the hosted invoice page): Jinja2, no JS build step."""
