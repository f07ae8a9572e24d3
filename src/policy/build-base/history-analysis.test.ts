import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../oci/types.js';
import { analyzeHistory } from './history-analysis.js';

const run = (body: string): HistoryEntry => ({ created_by: `RUN /bin/sh -c ${body} # buildkit` });
const analyze = (entries: HistoryEntry[], env: Record<string, string> = {}) => analyzeHistory(entries, new Map(Object.entries(env)));
const kept = (entries: HistoryEntry[], env: Record<string, string> = {}) => analyze(entries, env).kept.map((tool) => tool.package).sort();

describe('analyzeHistory', () => {
  it('keeps compilers installed without removal', () => {
    expect(kept([run('apt-get update && apt-get install -y --no-install-recommends build-essential gcc-12 g++ make')])).toEqual([
      'build-essential',
      'g++',
      'gcc-12',
    ]);
  });

  it('ignores tools that are not compilers or SDKs', () => {
    expect(kept([run('apt-get install -y make cmake autoconf libc6-dev git curl binutils')])).toEqual([]);
  });

  it('treats an apk virtual package deleted in the same RUN as transient', () => {
    const result = analyze([run('apk add --no-cache --virtual .build-deps gcc musl-dev make && make && apk del --no-network .build-deps')]);
    expect(result.kept).toEqual([]);
    expect(result.removed).toMatchObject([{ package: 'gcc', sameRun: true, how: 'apk del .build-deps', virtual: '.build-deps' }]);
  });

  it('keeps a package that the world still names after its virtual group is deleted', () => {
    expect(kept([run('apk add gcc && apk add -t .tmp gcc clang && apk del .tmp')])).toEqual(['gcc']);
  });

  it('reads --virtual=NAME and apk global options before the subcommand', () => {
    expect(kept([run('apk --no-cache add --virtual=.bd g++ && apk --no-network del .bd')])).toEqual([]);
  });

  it('treats apt-mark auto + apt-get purge --auto-remove as removing what this RUN installed', () => {
    const result = analyze([
      run('apt-get install -y gcc'),
      run('savedAptMark="$(apt-mark showmanual)"; apt-get install -y g++ clang; apt-mark auto \'.*\' > /dev/null; apt-mark manual $savedAptMark; apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false'),
    ]);
    expect(result.kept.map((tool) => tool.package)).toEqual(['gcc']);
    expect(result.removed.map((tool) => tool.package).sort()).toEqual(['clang', 'g++']);
  });

  it('keeps a package apt-mark manual names explicitly after apt-mark auto', () => {
    expect(kept([run("apt-get install -y gcc g++; apt-mark auto '.*'; apt-mark manual gcc; apt-get autoremove -y")])).toEqual(['gcc']);
  });

  it('reads apt-mark auto fed by xargs (nginx)', () => {
    expect(kept([run('apt-get install -y gcc && apt-mark showmanual | xargs apt-mark auto > /dev/null && apt-get purge -y --auto-remove')])).toEqual([]);
  });

  it('does not let --auto-remove without apt-mark auto remove other packages (rust:*-slim)', () => {
    expect(kept([run('apt-get install -y --no-install-recommends ca-certificates gcc libc6-dev wget; apt-get remove -y --auto-remove wget')])).toEqual(['gcc']);
  });

  it('resolves package lists held in variables of the same RUN (classic buildDeps style)', () => {
    const result = analyze([run("buildDeps='gcc libc6-dev make' && apt-get install -y $buildDeps --no-install-recommends && make && apt-get purge -y --auto-remove $buildDeps")]);
    expect(result.kept).toEqual([]);
    expect(result.removed.map((tool) => tool.package)).toEqual(['gcc']);
  });

  it('resolves package lists held in the image Env (php $PHPIZE_DEPS)', () => {
    const env = { PHPIZE_DEPS: 'autoconf dpkg-dev file g++ gcc libc-dev make pkg-config re2c' };
    expect(kept([run('apt-get install -y --no-install-recommends $PHPIZE_DEPS ca-certificates curl')], env)).toEqual(['g++', 'gcc']);
    expect(kept([run('apk add --no-cache --virtual .phpize-deps $PHPIZE_DEPS && pecl install redis && apk del .phpize-deps')], env)).toEqual([]);
  });

  it('skips command substitutions in package lists (buildpack-deps before 2024)', () => {
    const body =
      "set -ex; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tg++ \t\tgcc \t\tmake \t\t$( if apt-cache show 'default-libmysqlclient-dev' 2>/dev/null | grep -q '^Version:'; then echo 'default-libmysqlclient-dev'; else echo 'libmysqlclient-dev'; fi ) \t; \trm -rf /var/lib/apt/lists/*";
    expect(kept([{ created_by: `/bin/sh -c ${body}` }])).toEqual(['g++', 'gcc']);
  });

  it('records a removal in a later RUN as removed, not transient', () => {
    const result = analyze([run('apt-get install -y gcc'), run('apt-get purge -y gcc')]);
    expect(result.kept).toEqual([]);
    expect(result.removed).toMatchObject([{ package: 'gcc', step: 0, removedAt: 1, sameRun: false }]);
  });

  it('follows dnf/yum, groups and zypper', () => {
    expect(kept([run('yum install -y gcc && yum remove -y gcc')])).toEqual([]);
    expect(kept([run('dnf groupinstall -y "Development Tools"')])).toEqual(['development tools']);
    expect(kept([run('microdnf install -y java-17-openjdk-devel')])).toEqual(['java-17-openjdk-devel']);
    expect(kept([run('zypper --non-interactive in -y gcc-c++')])).toEqual(['gcc-c++']);
  });

  it('recognises SDK packages with their ecosystem', () => {
    const tools = analyze([run('apt-get install -y openjdk-17-jdk-headless golang-go cargo dotnet-sdk-8.0 maven')]).kept;
    expect(Object.fromEntries(tools.map((tool) => [tool.package, tool.ecosystem]))).toEqual({
      'openjdk-17-jdk-headless': 'java',
      'golang-go': 'go',
      cargo: 'rust',
      'dotnet-sdk-8.0': 'dotnet',
      maven: 'java',
    });
  });

  it('strips versions, architectures and pins from package operands', () => {
    expect(kept([run('apt-get install -y gcc=4:12.2.0-3 g++:amd64 clang-16/bookworm-backports && apk add build-base>=0.5 go@community')])).toEqual([
      'build-base',
      'clang-16',
      'g++',
      'gcc',
      'go',
    ]);
  });

  it('reads prefixes: assignments, sudo, if/then, env', () => {
    expect(kept([run('if true; then DEBIAN_FRONTEND=noninteractive sudo apt-get -qq -y install gcc; fi')])).toEqual(['gcc']);
    expect(kept([run('env -i apk add gcc')])).toEqual(['gcc']);
  });

  it('reads every builder format of RUN', () => {
    expect(kept([{ created_by: '/bin/sh -c apk add gcc' }])).toEqual(['gcc']);
    expect(kept([{ created_by: '|1 X=1 /bin/sh -c apk add gcc' }])).toEqual(['gcc']);
    expect(kept([{ created_by: 'RUN apk add gcc' }])).toEqual(['gcc']);
  });

  it('does not take package names from non-RUN instructions', () => {
    expect(kept([{ created_by: 'ENV PACKAGES="apt-get install gcc"' }, { created_by: '/bin/sh -c #(nop)  LABEL x="apk add gcc"' }])).toEqual([]);
  });
});
