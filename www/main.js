// Minimal page: load the wasm core, step it from requestAnimationFrame, draw the ring.
import init, { Simulation } from './pkg/raftbeat.js';

const canvas = document.getElementById('cluster');
const status = document.getElementById('status');

await init();
const sim = new Simulation({ model: 'nacos', nodes: 5, seed: 7 });
window.raftbeat = { sim };
const SPEED = 4;
let last = performance.now();

function draw() {
  const ctx = canvas.getContext('2d');
  const { width: w, height: h } = canvas;
  ctx.clearRect(0, 0, w, h);
  const nodes = sim.nodes();
  const r = Math.min(w, h) * 0.35;
  nodes.forEach((n, i) => {
    const a = (i / nodes.length) * 2 * Math.PI - Math.PI / 2;
    const x = w / 2 + r * Math.cos(a), y = h / 2 + r * Math.sin(a);
    ctx.beginPath();
    ctx.arc(x, y, 36, 0, 2 * Math.PI);
    ctx.fillStyle = !n.alive ? '#bbb' : n.role === 'LEADER' ? '#2a7' : n.role === 'CANDIDATE' ? '#e93' : '#48c';
    ctx.fill();
    ctx.fillStyle = '#fff';
    ctx.font = 'bold 18px system-ui';
    ctx.textAlign = 'center';
    ctx.fillText(`S${n.id}`, x, y + 6);
  });
  const leader = sim.leader();
  status.textContent = `t = ${(sim.timeMs / 1000).toFixed(1)} s · ${leader ? `leader S${leader}` : 'no leader'}`;
}

function frame(now) {
  // rAF timestamps can precede the performance.now() taken at start-up.
  const dt = Math.max(0, Math.min(now - last, 100));
  last = now;
  sim.step(dt * SPEED);
  sim.events();
  draw();
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
