"""E-mail: SMTP settings and transport, and the invoice and reminder messages."""
