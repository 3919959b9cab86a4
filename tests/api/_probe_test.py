def test_probe(app):
    import collections
    c = collections.Counter()
    for (m, r, s), n in app.state.metrics.counts.items():
        c[s] += n
    print("STATUS", dict(c))
    for (m, r, s), n in sorted(app.state.metrics.counts.items()):
        if s == 200: print(m, r, n)
