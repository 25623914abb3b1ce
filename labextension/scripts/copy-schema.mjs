// The Record's JSON Schema is generated on the Python side (python -m aisec_nb.record) and shipped
// in the package; the front end validates payloads against the same file, copied here at build.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, '..', '..', 'aisec_nb', 'schema', 'record.schema.json');
const target = join(here, '..', 'src', 'generated', 'record.schema.json');
mkdirSync(dirname(target), { recursive: true });
copyFileSync(source, target);
