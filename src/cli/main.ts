#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { createImageSource } from '../image-facts/create-image-source.js';
import { loadDockerConfigKeychain } from '../registry/docker-config-keychain.js';
import { parsePlatform } from '../oci/platform.js';
import { defaultPolicy } from '../config/default-policy.js';
import { loadPolicyFile } from '../config/load-policy.js';
import { runCheck } from './check-command.js';
import { exitCodeOf, toJsonReport } from './check-report.js';
import { EXIT_ERROR } from './exit-codes.js';
import { formatText } from './format-text.js';

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
    .option('--platform <os/arch[/variant]>', 'platform to judge in multi-platform images', platformOption)
    .option('--insecure-registry <host:port>', 'registry reached over plain HTTP (repeatable)', collect, [])
    .option('--allow-private-networks', 'allow registries on private network addresses')
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (images: string[], options) => {
      const policy = options.policy ? await loadPolicyFile(options.policy) : defaultPolicy;
      const source = createImageSource({
        insecureRegistries: options.insecureRegistry,
        allowPrivateNetworks: options.allowPrivateNetworks ?? false,
        keychain: await loadDockerConfigKeychain({}),
      });
      try {
        const results = await runCheck({ images, source, policy, platform: options.platform });
        process.stdout.write(
          options.output === 'json' ? `${JSON.stringify(toJsonReport(results), null, 2)}\n` : formatText(results),
        );
        process.exitCode = exitCodeOf(results);
      } finally {
        await source.close();
      }
    });

  return program;
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
