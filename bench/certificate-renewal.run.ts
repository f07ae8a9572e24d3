// Certificate bootstrap benchmark (not a test): the CPU of the steps a replica repeats. A
// re-check (watch event, hourly timer) parses the Secret and decides; a renewal generates an RSA
// key and signs; a first bootstrap makes a CA as well. No cluster: the API round trips are the
// API server's, and the cluster suite covers them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { decideCertificates, type WantedNames } from '../src/certs/certificate-decision.js';
import { renewCertificates } from '../src/certs/certificate-renewal.js';
import { parseCertificateSecret } from '../src/certs/certificate-secret-data.js';
import { machine, median, ROOT } from './support.js';

const ROUNDS = Number(process.env.BENCH_CERT_ROUNDS ?? 30);
const CHECKS = Number(process.env.BENCH_CERT_CHECKS ?? 2_000);
const wanted: WantedNames = {
  commonName: 'slimguard.slimguard.svc',
  dnsNames: ['slimguard', 'slimguard.slimguard', 'slimguard.slimguard.svc', 'slimguard.slimguard.svc.cluster.local'],
  ipAddresses: [],
};

function timeMs(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

it('certificate bootstrap CPU per step', { timeout: 600_000 }, () => {
  const now = new Date();
  const create = decideCertificates(undefined, wanted, now);
  const firstBootstrap: number[] = [];
  let data = renewCertificates({ plan: create, parsed: undefined, wanted, now, caCommonName: 'bench-ca' });
  for (let i = 0; i < ROUNDS; i += 1) firstBootstrap.push(timeMs(() => renewCertificates({ plan: create, parsed: undefined, wanted, now, caCommonName: 'bench-ca' })));

  const parsed = parseCertificateSecret(data);
  const reissue = { ...decideCertificates(parsed, wanted, now), issueServing: true };
  const renewal: number[] = [];
  for (let i = 0; i < ROUNDS; i += 1) renewal.push(timeMs(() => (data = renewCertificates({ plan: reissue, parsed, wanted, now, caCommonName: 'bench-ca' }))));

  const started = performance.now();
  for (let i = 0; i < CHECKS; i += 1) decideCertificates(parseCertificateSecret(data), wanted, now);
  const recheckMicros = ((performance.now() - started) * 1000) / CHECKS;

  const results = {
    'first bootstrap: CA + serving certificate (ms, median)': Number(median(firstBootstrap).toFixed(1)),
    'renewal: serving certificate from the CA (ms, median)': Number(median(renewal).toFixed(1)),
    're-check: parse the Secret and decide (µs, mean)': Number(recheckMicros.toFixed(0)),
  };
  writeFileSync(
    join(ROOT, 'bench', 'results', 'certificate-renewal.json'),
    `${JSON.stringify({ benchmark: 'certificate-renewal', machine: machine(), rounds: ROUNDS, checks: CHECKS, results }, null, 2)}\n`,
  );
  console.log('certificate bootstrap CPU:', results);
});
