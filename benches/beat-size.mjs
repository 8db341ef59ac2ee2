// The beat's gzip size model (src/protocol/nacos/size.rs, gzip_estimate)
// against real gzip. Builds beats the way sendBeat does for keys k0, k1,
// ... (sorted, versions 1-20), gzips them with zlib, and prints the model's
// estimate beside the measured size. Run: node benches/beat-size.mjs
import zlib from 'node:zlib';

const PEER = '{"ip":"10.0.0.3:8848","voteFor":"10.0.0.3:8848","term":12345,"leaderDueMs":15000,"heartbeatDueMs":5000,"state":"LEADER"}';
// Mirrors gzip_estimate: 20 + 0.7 x JSON with no entries, else 160 + 3.7 per entry.
const model = (json, n) => n === 0 ? 20 + Math.floor(json * 7 / 10) : 160 + Math.floor(n * 37 / 10);

let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
console.log('entries  json_bytes  gzip_measured  gzip_model  error');
let worst = 0;
for (const n of [0, 1, 10, 100, 1000, 10000, 100000]) {
  const keys = Array.from({ length: n }, (_, i) => 'k' + i).sort();
  const entries = keys.map(k => `{"key":"${k}","timestamp":${1 + Math.floor(rand() * 20)}}`);
  const content = JSON.stringify({ beat: `{"peer":${PEER},"datums":[${entries.join(',')}]}` });
  const gz = zlib.gzipSync(Buffer.from(content)).length;
  const est = model(content.length, n);
  const err = (est - gz) / gz;
  if (n >= 1000) worst = Math.max(worst, Math.abs(err));
  console.log(String(n).padStart(7), String(content.length).padStart(11), String(gz).padStart(14), String(est).padStart(11), `${(err * 100).toFixed(1)}%`.padStart(7));
}
if (worst > 0.05) {
  console.error(`the model is off by ${(worst * 100).toFixed(1)}% at 1000+ entries: refit gzip_estimate`);
  process.exit(1);
}
