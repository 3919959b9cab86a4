"""Documents: the view model of an invoice or credit note (what every rendering reads),
the EN 16931 business rules over it, and its serialisations (UBL, CII, Factur-X).
Nothing here touches the database or the web."""
