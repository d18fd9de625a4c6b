// Locates the evaluation corpus: the PostgreSQL 15 manual as HTML from Debian's postgresql-doc-15
// package (PostgreSQL Licence, a permissive MIT/BSD-style licence: see the package's copyright
// file). Installs the package with apt-get when it is missing and this runs as root.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export const MANUAL_PACKAGE = 'postgresql-doc-15';
export const MANUAL_FOLDER = `/usr/share/doc/${MANUAL_PACKAGE}/html`;
export const MANUAL_COPYRIGHT = `/usr/share/doc/${MANUAL_PACKAGE}/copyright`;

function install(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(`The PostgreSQL manual is not at ${MANUAL_FOLDER}. Install it with: sudo apt-get install -y ${MANUAL_PACKAGE}`);
  }
  console.error(`Installing ${MANUAL_PACKAGE} with apt-get…`);
  try {
    execFileSync('apt-get', ['install', '-y', MANUAL_PACKAGE], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', MANUAL_PACKAGE], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
}

/** The manual's HTML folder, installed first when needed; checks that the licence is the PostgreSQL Licence. */
export function locateManual(): { folder: string; licence: string; version: string } {
  if (!existsSync(`${MANUAL_FOLDER}/index.html`)) install();
  const copyright = readFileSync(MANUAL_COPYRIGHT, 'utf8');
  const licence = /^Files: \*\n(?:.*\n)*?License: (.+)$/m.exec(copyright)?.[1]?.trim() ?? 'unknown';
  if (licence !== 'PostgreSQL') throw new Error(`Unexpected licence "${licence}" in ${MANUAL_COPYRIGHT}; the evaluation expects the PostgreSQL Licence`);
  const title = /<title>([^<]*)<\/title>/.exec(readFileSync(`${MANUAL_FOLDER}/index.html`, 'utf8'))?.[1] ?? 'PostgreSQL documentation';
  return { folder: MANUAL_FOLDER, licence, version: title };
}
