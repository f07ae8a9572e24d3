#!/usr/bin/env node
import { isIP } from 'node:net';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createImageSource } from '../image-facts/create-image-source.js';
import { parsePlatform } from '../oci/platform.js';
import { defaultPolicy } from '../config/default-policy.js';
import { loadPolicyFile } from '../config/load-policy.js';
import { runCheck } from './check-command.js';
import { createCliKeychain } from './cli-keychain.js';
import { exitCodeOf, toJsonReport } from './check-report.js';
import { EXIT_ERROR } from './exit-codes.js';
import { toSarifForCheck } from './format-sarif.js';
import { formatText } from './format-text.js';
import { parseListenAddress } from './listen-address.js';
import { createProgress } from './progress.js';
import { startServe } from './serve-command.js';
import { parseNamespaceLabels, validateCommand } from './validate-command.js';
import { VERSION } from './version.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function platformOption(value: string) {
  try {
    return parsePlatform(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function buildProgram(): Command {
  const program = new Command('slimguard')
    .description('Judges container images: runs as root, over a size budget, built on a full build base.')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('check')
    .description('judge images from registries (or oci:DIR[:REF] layouts) against a policy')
    .argument('<image...>', 'image references, e.g. nginx:1.27, ghcr.io/org/app@sha256:…, oci:./out:app')
    .option('--policy <file>', 'policy file (ImagePolicy YAML); default: the embedded default policy')
    .option('--platform <os/arch[/variant]>', 'platform to judge in multi-platform images (repeatable: one result per platform)', (v: string, p?: ReturnType<typeof platformOption>[]) => [...(p ?? []), platformOption(v)])
    .addOption(new Option('--all-platforms', 'judge every platform of multi-platform images (attestations excluded)').conflicts('platform'))
    .option('--insecure-registry <host:port>', 'registry reached over plain HTTP (repeatable)', collect, [])
    .option('--allow-private-networks', 'allow registries on private network addresses')
    .option('--registry-auth-file <file>', 'docker config JSON with registry credentials, asked before $DOCKER_CONFIG/config.json (~/.docker/config.json) and its credential helpers')
    .option('--concurrency <n>', 'images fetched at once (each unique image is fetched once)', concurrencyOption, 8)
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .action(async (images: string[], options) => {
      const policy = options.policy ? await loadPolicyFile(options.policy) : defaultPolicy;
      const source = createImageSource({
        insecureRegistries: options.insecureRegistry,
        allowPrivateNetworks: options.allowPrivateNetworks ?? false,
        keychain: await createCliKeychain({ registryAuthFile: options.registryAuthFile }),
      });
      // On a terminal only; CI logs and pipes get nothing on stderr.
      const progress = createProgress({ stream: process.stderr, total: images.length });
      try {
        const results = await runCheck({
          images,
          source,
          policy,
          platforms: options.platform,
          allPlatforms: options.allPlatforms ?? false,
          concurrency: options.concurrency,
          onImageDone: () => progress.advance(),
        });
        progress.finish();
        process.stdout.write(
          options.output === 'json'
            ? `${JSON.stringify(toJsonReport(results), null, 2)}\n`
            : options.output === 'sarif'
              ? `${JSON.stringify(toSarifForCheck(results), null, 2)}\n`
              : formatText(results, { images: images.length }),
        );
        process.exitCode = exitCodeOf(results);
      } finally {
        progress.finish();
        await source.close();
      }
    });

  program
    .command('validate')
    .description('judge the workloads in Kubernetes manifests (YAML/JSON) as the webhook would admit them')
    .requiredOption('-f, --filename <path>', 'manifest file, directory (recursive *.yaml, *.yml, *.json) or - for stdin (repeatable)', (v: string, p?: string[]) => [...(p ?? []), v])
    .option('--policy <file>', 'policy file (ImagePolicy YAML); default: the embedded default policy')
    .option('--namespace <name>', 'namespace every object is judged in (default: its metadata.namespace, else "default")')
    .option('--namespace-labels <key=value,...>', "labels the namespace has in the cluster, e.g. slimguard.io/mode=warn (repeatable)", namespaceLabelsOption)
    .option('--platform <os/arch[/variant]>', "platform to judge (default: the pod's nodeSelector, else the policy's)", platformOption)
    .option('--insecure-registry <host:port>', 'registry reached over plain HTTP (repeatable)', collect, [])
    .option('--allow-private-networks', 'allow registries on private network addresses')
    .option('--concurrency <n>', 'images fetched at once (each unique image is fetched once)', concurrencyOption, 8)
    .option('--registry-auth-file <file>', 'docker config JSON with registry credentials, asked before $DOCKER_CONFIG/config.json (~/.docker/config.json) and its credential helpers')
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .action(async (options) => {
      process.exitCode = await validateCommand(options);
    });

  program
    .command('serve')
    .description('run the admission webhook (HTTPS) and its metrics endpoint')
    .option('--policy <file>', 'policy file, reloaded when it changes; default: the embedded default policy')
    .option('--listen <host:port>', 'webhook address (HTTPS)', parseListen, parseListenAddress('0.0.0.0:8443'))
    .option('--metrics-listen <host:port>', 'metrics address (plain HTTP, GET /metrics)', parseListen, parseListenAddress('0.0.0.0:8080'))
    .option('--reuse-port', 'share the webhook port with other slimguard processes (SO_REUSEPORT, Linux); each keeps its own cache and metrics port')
    .option('--tls-cert <file>', 'serving certificate (PEM), reloaded when it changes')
    .option('--tls-key <file>', 'private key of the serving certificate (PEM)')
    .option('--cert-bootstrap-secret <name>', 'bootstrap mode: keep a self-made CA and serving certificate in this Secret (type kubernetes.io/tls: tls.crt, tls.key, ca.crt, ca.key), created when absent (replicas race safely), renewed before expiry; instead of --tls-cert/--tls-key; needs a cluster')
    .option('--cert-namespace <ns>', 'namespace of that Secret (default: $POD_NAMESPACE, else the kubeconfig\'s namespace, else "default")')
    .option('--cert-service <name>', 'the webhook Service: SANs <name>, <name>.<ns>, <name>.<ns>.svc, <name>.<ns>.svc.cluster.local')
    .option('--cert-dns-name <name>', 'extra DNS SAN of the serving certificate (repeatable)', collect, [])
    .option('--cert-ip-address <ip>', 'extra IP SAN (repeatable), e.g. 127.0.0.1 for a `url` client config', ipOption, [])
    .option('--webhook-configuration <name>', "ValidatingWebhookConfiguration whose webhooks' caBundle is set to the CA (bootstrap mode)")
    .option('--cert-dir <dir>', 'where bootstrap mode writes tls.crt/tls.key for the TLS hot reload (default: a fresh temp dir)')
    .option('--insecure-registry <host:port>', 'registry reached over plain HTTP (repeatable)', collect, [])
    .option('--allow-private-networks', 'allow registries on private network addresses')
    .option('--kubeconfig <file>', 'kubeconfig for the cluster (default: in-cluster config, then $KUBECONFIG)')
    .option('--exclude-namespace <name>', 'namespace never judged (repeatable)', collect, [])
    .option('--exclude-username <name>', 'requesting user never judged, e.g. system:serviceaccount:slimguard:slimguard (repeatable)', collect, [])
    .option('--pull-secrets', "read pods' imagePullSecrets (needs RBAC to list/watch secrets)")
    .option('--registry-auth-file <file>', 'docker config JSON with registry credentials for every lookup')
    .option('--shutdown-grace <ms>', 'how long in-flight reviews may finish after SIGTERM', (v) => Number.parseInt(v, 10), 10_000)
    .option('--shutdown-delay <ms>', 'after SIGTERM, stay unready but listening this long (endpoint removal)', (v) => Number.parseInt(v, 10), 0)
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .action(async (options) => {
      if (Boolean(options.tlsCert) !== Boolean(options.tlsKey)) {
        // A plain Error, not commander's InvalidArgumentError: thrown from an action, commander's
        // errors leave main() without a message.
        throw new Error('--tls-cert and --tls-key go together: give both files, or neither for a self-signed development certificate');
      }
      const bootstrapOnly = ['certNamespace', 'certService', 'webhookConfiguration', 'certDir'].filter((key) => options[key] !== undefined);
      if (options.certBootstrapSecret === undefined && (bootstrapOnly.length > 0 || options.certDnsName.length > 0 || options.certIpAddress.length > 0)) {
        throw new Error('the --cert-* and --webhook-configuration flags need --cert-bootstrap-secret');
      }
      if (options.certBootstrapSecret !== undefined && options.tlsCert !== undefined) {
        throw new Error('--cert-bootstrap-secret makes its own certificate: leave out --tls-cert/--tls-key');
      }
      const running = await startServe({
        policy: options.policy,
        listen: options.listen,
        reusePort: options.reusePort ?? false,
        metricsListen: options.metricsListen,
        tlsCert: options.tlsCert,
        tlsKey: options.tlsKey,
        insecureRegistry: options.insecureRegistry,
        allowPrivateNetworks: options.allowPrivateNetworks ?? false,
        kubeconfig: options.kubeconfig,
        // kube-system is never judged: a policy webhook must not be able to block the control plane.
        excludeNamespaces: ['kube-system', ...options.excludeNamespace],
        excludeUsernames: options.excludeUsername,
        pullSecrets: options.pullSecrets ?? false,
        registryAuthFile: options.registryAuthFile,
        logLevel: options.logLevel,
        shutdownGraceMs: options.shutdownGrace,
        shutdownDelayMs: options.shutdownDelay,
        version: VERSION,
        certBootstrap:
          options.certBootstrapSecret === undefined
            ? undefined
            : {
                secret: options.certBootstrapSecret,
                namespace: options.certNamespace,
                service: options.certService,
                dnsNames: options.certDnsName,
                ipAddresses: options.certIpAddress,
                webhookConfiguration: options.webhookConfiguration,
                certDir: options.certDir,
              },
      });
      // Kubernetes sends SIGTERM, then SIGKILL after the grace period: go unready, finish, exit.
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          void running.stop().then(resolve);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
    });

  return program;
}

function namespaceLabelsOption(value: string, previous?: Record<string, string>) {
  try {
    return parseNamespaceLabels(value, previous);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function ipOption(value: string, previous: string[]) {
  if (isIP(value) === 0) throw new InvalidArgumentError(`${value} is not an IPv4 or IPv6 address`);
  return [...previous, value];
}

function concurrencyOption(value: string) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function parseListen(value: string) {
  try {
    return parseListenAddress(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    // commander reports --help and --version as "errors" with exit code 0.
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return EXIT_ERROR;
    process.stderr.write(`slimguard: ${(error as Error).message}\n`);
    return EXIT_ERROR;
  }
}

process.exitCode = await main(process.argv);
