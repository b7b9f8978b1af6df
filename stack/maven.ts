import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StackError } from '../core/errors';

/** Runs Maven quietly; on failure the error carries Maven's last lines. */
async function mvn(args: string[], cwd: string): Promise<void> {
  const child = spawn('mvn', ['-B', '-q', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
  child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) {
    const tail = output.trim().split('\n').slice(-12).join('\n');
    throw new StackError(
      'TW_ERR_STACK_DOWNLOAD',
      `Maven failed (mvn ${args[0]}, exit ${code}). Is Maven Central reachable?\n${tail}`,
    );
  }
}

const complete = (dir: string) => path.join(dir, '.complete');

function kafkaPom(version: string): string {
  const dep = (g: string, a: string, v: string) =>
    `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.tidewatch.stack</groupId><artifactId>kafka-runtime</artifactId><version>${version}</version>
  <dependencies>
    ${dep('org.apache.kafka', 'kafka_2.13', version)}
    ${dep('org.apache.logging.log4j', 'log4j-core', '2.24.3')}
    ${dep('org.apache.logging.log4j', 'log4j-slf4j-impl', '2.24.3')}
  </dependencies>
</project>
`;
}

/** Kafka's jars plus a log4j2 binding (not in Kafka's POM), cached; returns the libs folder. */
export async function resolveKafka(cacheDir: string, version: string): Promise<string> {
  const dir = path.join(cacheDir, `kafka-${version}`);
  const libs = path.join(dir, 'libs');
  if (fs.existsSync(complete(dir))) return libs;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'pom.xml'), kafkaPom(version));
  await mvn(['dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime'], dir);
  fs.writeFileSync(complete(dir), new Date().toISOString());
  return libs;
}

/** Apicurio Registry's distribution, unpacked and cached; returns the runnable jar. */
export async function resolveRegistry(cacheDir: string, version: string): Promise<string> {
  const dir = path.join(cacheDir, `apicurio-registry-${version}`);
  if (!fs.existsSync(complete(dir))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const artifact = `io.apicurio:apicurio-registry-app:${version}:tar.gz:all`;
    await mvn(['dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${dir}`], dir);
    const tarball = fs.readdirSync(dir).find((f) => f.endsWith('.tar.gz'));
    if (!tarball)
      throw new StackError('TW_ERR_STACK_DOWNLOAD', `Maven reported success but no ${artifact} in ${dir}`);
    await new Promise<void>((resolve, reject) => {
      const tar = spawn('tar', ['-xzf', tarball], { cwd: dir, stdio: 'ignore' });
      tar.on('close', (code) =>
        code === 0
          ? resolve()
          : reject(new StackError('TW_ERR_STACK_DOWNLOAD', `cannot unpack ${tarball} (tar exit ${code})`)),
      );
    });
    fs.rmSync(path.join(dir, tarball));
    fs.writeFileSync(complete(dir), new Date().toISOString());
  }
  const jar = findRunnableJar(dir);
  if (!jar)
    throw new StackError(
      'TW_ERR_STACK_DOWNLOAD',
      `no quarkus-run.jar or *-runner.jar in ${dir}; delete it to download again`,
    );
  return jar;
}

function findRunnableJar(dir: string): string | undefined {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && (entry.name === 'quarkus-run.jar' || entry.name.endsWith('-runner.jar')))
      return full;
    if (entry.isDirectory() && entry.name !== 'lib') {
      const found = findRunnableJar(full);
      if (found) return found;
    }
  }
  return undefined;
}
