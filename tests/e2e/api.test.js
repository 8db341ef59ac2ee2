// The JavaScript API under random calls with junk arguments, the way a page
// author's bug would make them: every refusal is an Error that names the
// field and its rule, none is a wasm trap or a panic, and the Simulation
// keeps running afterwards. RAFTBEAT_API_SEED=N replays one run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage } from './harness.js';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('random calls with junk arguments get Errors naming the field, never a trap, and the run goes on', async () => {
  const seed = Number(process.env.RAFTBEAT_API_SEED ?? Date.now() % 100_000);
  const { page, context, problems } = await openPage(browser, `${server.url}api-test-page.html`, { html: '<!doctype html><title>api</title><link rel="icon" href="data:,">' });
  const result = await page.evaluate(async (seed) => {
    const core = await import('./pkg/raftbeat.js');
    await core.default();
    // mulberry32, as the monkey test: a failure prints the seed that replays it.
    let a = seed >>> 0;
    const rand = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = (list) => list[Math.floor(rand() * list.length)];
    // Values of every JS type a page could pass by mistake (symbols and
    // BigInts aside: JS itself refuses to make numbers of them).
    const JUNK = [undefined, null, NaN, -1, 0, 1, 2, 3, 5, 7, 2.5, 1e9, -1e300, Infinity, -Infinity, 2 ** 32, 2 ** 53,
      '', 'S1', 'leader', '1', 'x', '10s', 'crash 1', 'drop-beats from=leader', 'partition 1,2|3', 'heal', 'nacos',
      {}, [], [[1, 2], [3]], [[1], [1]], { latencyMin: -5 }, { latency: 'abc' }, { loss: 2 }, { model: 'raft' }, true, false,
      // Action objects for act and applyAt, good and bad.
      { do: 'crash', node: 1 }, { do: 'crash', node: 'leader' }, { do: 'crash' }, { do: 'explode' }, { do: 7 }, { node: 3 },
      { do: 'dropBeats', from: 3, count: -1 }, { do: 'dropBeats', from: 'leader', count: 2 }, { do: 'dropBeats', all: true, to: 1 },
      { do: 'partition', groups: [[1, 2], [3, 'S9']] }, { do: 'partition', groups: [[1, 2], [3, 4, 5]] }, { do: 'partition', groups: 'x' },
      { do: 'network', loss: 0.1234567 }, { do: 'network', loss: -1 }, { do: 'network', latency: '9ms..2ms' }, { do: 'network' },
      { do: 'cut', from: 1, to: 2, both: 'yes' }, { do: 'restore', from: 1, to: 2 }, { do: 'allowBeats', rule: 1.5 },
      { do: 'periodicCrash', every: 0 }, { do: 'periodicCrash', off: true }, { do: 'dropMessage', id: 2 ** 60 },
      { do: 'heal', extra: [1, { deep: true }] }, { do: 'spreadTimers' }, { do: 'alignTimers' }, { do: 'timeout', node: NaN }];
    const CONFIGS = [{}, { model: 'raft', nodes: 5, seed: 3 }, { model: 'nacos', nodes: 3, seed: 1 }, { model: 'raft', nodes: 1 },
      { model: 'raft', nodes: 7, preVote: true, checkQuorum: true }];
    const proto = core.Simulation.prototype;
    const methods = Object.getOwnPropertyNames(proto).filter((k) => !['constructor', 'free', '__destroy_into_raw'].includes(k)
      && typeof Object.getOwnPropertyDescriptor(proto, k).value === 'function');
    const setters = Object.getOwnPropertyNames(proto).filter((k) => Object.getOwnPropertyDescriptor(proto, k).set);
    const bad = [];
    let calls = 0, refused = 0;
    const call = (label, fn) => {
      calls++;
      try { fn(); } catch (e) {
        refused++;
        if (!(e instanceof Error) || e instanceof WebAssembly.RuntimeError || !/^([A-Za-z][\w.[\]-]*|scenario line \d+): \S/.test(e.message)) {
          bad.push(`${label}: ${e?.constructor?.name}: ${e?.message}`);
        }
      }
    };
    const show = (v) => { try { return JSON.stringify(v) ?? String(v); } catch { return String(v); } };
    for (let run = 0; run < 12; run++) {
      call('new Simulation', () => new core.Simulation(pick(JUNK)));
      call('parseScenario', () => core.parseScenario(pick(JUNK)));
      const sim = new core.Simulation(pick(CONFIGS));
      for (let i = 0; i < 250; i++) {
        const args = Array.from({ length: Math.floor(rand() * 4) }, () => pick(JUNK));
        if (rand() < 0.1) {
          const name = pick(setters), v = args[0];
          call(`${name} = ${show(v)}`, () => { sim[name] = v; });
          continue;
        }
        const name = pick(methods);
        // applyAt may be asked to run days ahead: valid, only slow.
        if (name === 'applyAt' && typeof args[0] === 'number' && args[0] > 1e6) args[0] = 5000;
        call(`${name}(${args.map(show).join(', ')})`, () => sim[name](...args));
        if (i % 25 === 0) call('step(50) after it', () => sim.step(50));
      }
      call('step(1000) at the end', () => sim.step(1000));
      sim.free();
    }
    // The module is still sound: a fresh cluster elects a leader.
    const sim = new core.Simulation({ model: 'raft', nodes: 5, seed: 1 });
    sim.step(3000);
    return { calls, refused, bad: [...new Set(bad)].slice(0, 20), leader: sim.leader() };
  }, seed);
  assert.deepEqual(result.bad, [], `seed ${seed} (RAFTBEAT_API_SEED=${seed} replays it)`);
  assert.ok(result.refused > result.calls / 10, `the junk was refused often enough to test something: ${result.refused} of ${result.calls}`);
  assert.equal(typeof result.leader, 'number');
  assert.deepEqual(problems, []);
  await context.close();
});
