// Random draws for the simulated traffic.
'use strict';

function gaussian() {
  // Box-Muller; 1 - random() keeps log() away from 0.
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

// Durations are long-tailed: log-normal around `median` (sigma 0.5 puts p95 at ~2.3x the median).
function logNormal(median, sigma = 0.5) {
  return median * Math.exp(sigma * gaussian());
}

function exponential(mean) {
  return -mean * Math.log(1 - Math.random());
}

function chance(p) {
  return Math.random() < p;
}

function pick(items) {
  return items[Math.floor(Math.random() * items.length)];
}

function pickWeighted(items) {
  const total = items.reduce((s, x) => s + x.weight, 0);
  let r = Math.random() * total;
  for (const x of items) {
    r -= x.weight;
    if (r < 0) return x;
  }
  return items[items.length - 1];
}

const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

module.exports = { logNormal, exponential, chance, pick, pickWeighted, sleep };
