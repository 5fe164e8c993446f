// `casemgr import FILE`: validate the whole organisation file, then write it in one transaction.
import { readFile } from 'node:fs/promises';
import type { ServiceConfig } from '../config.js';
import type { OrganisationDocument } from '../org/organisation-schema.js';
import { parseOrganisation } from '../org/parse-organisation.js';
import { openDatabase, type OpenDatabase } from '../store/database.js';
import { OrganisationStore, type ImportCounts } from '../store/organisation-store.js';
import { createTransactional } from '../store/transaction.js';
import { ImportRejected } from './command-errors.js';

export function validateOrganisationText(text: string): OrganisationDocument {
  const parsed = parseOrganisation(text);
  if (!parsed.ok) throw new ImportRejected(parsed.problems.map((p) => `${p.path}: ${p.reason}`).join('\n'));
  return parsed.document;
}

export function importDocument(
  database: OpenDatabase,
  document: OrganisationDocument,
  nowMs: number,
): Promise<ImportCounts> {
  const store = new OrganisationStore(database.db, createTransactional(database.db, database.dialect));
  return store.import(document, nowMs);
}

export async function runImport(config: ServiceConfig, file: string): Promise<ImportCounts> {
  // Validated before the database is opened, so a bad file never even creates one.
  const document = validateOrganisationText(await readFile(file, 'utf8'));
  const database = await openDatabase(config.database, config.pool);
  try {
    return await importDocument(database, document, Date.now());
  } finally {
    await database.close();
  }
}
