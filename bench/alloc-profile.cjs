// Allocation profile of a running Node process (a Backstage backend): opens its
// inspector (SIGUSR1, 127.0.0.1:9229), samples every allocation for SECONDS,
// including objects already collected, and prints MB a second and the top
// allocators by package, by function, and by the innermost frame of our code.
//
//   node bench/alloc-profile.cjs PID [SECONDS=60]
const ROOT = require('node:path').resolve(__dirname, '..') + '/';
const pid = Number(process.argv[2]);
const seconds = Number(process.argv[3] || 60);
(async () => {
  process.kill(pid, 'SIGUSR1');
  let list;
  for (let i = 0; i < 50; i++) {
    try {
      list = await (await fetch('http://127.0.0.1:9229/json/list')).json();
      break;
    } catch {
      await new Promise(r => setTimeout(r, 200));
    }
  }
  const ws = new WebSocket(list[0].webSocketDebuggerUrl);
  await new Promise(r => ws.addEventListener('open', r));
  let id = 0;
  const pending = new Map();
  ws.addEventListener('message', e => {
    const m = JSON.parse(e.data);
    if (pending.has(m.id)) {
      pending.get(m.id)(m);
      pending.delete(m.id);
    }
  });
  const call = (method, params = {}) =>
    new Promise(r => {
      const i = ++id;
      pending.set(i, r);
      ws.send(JSON.stringify({ id: i, method, params }));
    });
  await call('HeapProfiler.enable');
  const r0 = await call('HeapProfiler.startSampling', {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  if (r0.error) console.log('start error', r0.error);
  await new Promise(r => setTimeout(r, seconds * 1000));
  const res = await call('HeapProfiler.stopSampling');
  ws.close();
  const profile = res.result.profile;
  const byFn = new Map(),
    byPkg = new Map(),
    byStack = new Map();
  let total = 0;
  const pkgOf = url => {
    let m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) return m[1];
    m = /^(plugins\/[^/]+|packages\/[^/]+)/.exec(
      url.replace('file://', '').replace(ROOT, ''),
    );
    if (m) return m[1];
    return url
      ? url.startsWith('node:')
        ? url
        : 'other:' + url.slice(-40)
      : '(native/vm)';
  };
  const walk = (node, stack) => {
    const cf = node.callFrame;
    const here = `${cf.functionName || '(anon)'} ${cf.url
      .replace(/.*node_modules\//, '')
      .replace('file://', '')
      .replace(ROOT, '')}:${cf.lineNumber}`;
    const s = [...stack, { here, pkg: pkgOf(cf.url) }];
    if (node.selfSize) {
      total += node.selfSize;
      byFn.set(here, (byFn.get(here) || 0) + node.selfSize);
      // attribute to the innermost frame from our code or a named package other than core
      const ours = [...s]
        .reverse()
        .find(
          f => f.pkg.startsWith('plugins/') || f.pkg.startsWith('packages/'),
        );
      const key = ours
        ? ours.pkg + ' ' + ours.here
        : '(no frame of ours) ' +
          ((
            [...s]
              .reverse()
              .find(
                f => !f.pkg.startsWith('node:') && f.pkg !== '(native/vm)',
              ) || {}
          ).pkg || '?');
      byStack.set(key, (byStack.get(key) || 0) + node.selfSize);
      const p = s[s.length - 1].pkg;
      byPkg.set(p, (byPkg.get(p) || 0) + node.selfSize);
    }
    for (const c of node.children) walk(c, s);
  };
  walk(profile.head, []);
  const mb = x => (x / 1e6).toFixed(1) + ' MB';
  console.log(
    'total sampled allocation',
    mb(total),
    'in',
    seconds,
    's =',
    (total / 1e6 / seconds).toFixed(2),
    'MB/s',
  );
  const top = (m, n) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .forEach(([k, v]) => console.log('  ', mb(v).padStart(10), k));
  console.log('by innermost frame of ours:');
  top(byStack, 30);
  console.log('by allocating package:');
  top(byPkg, 20);
  console.log('by function:');
  top(byFn, 25);
  process.exit(0);
})();
