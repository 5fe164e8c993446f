// The failures a command reports as exit 1 with its own message (no stack), apart from the
// commands' code so that main.ts can recognise them without loading it.

/** The file's problems, one `path: reason` per line. */
export class ImportRejected extends Error {
  override readonly name = 'ImportRejected';
}

export class UnknownUser extends Error {
  override readonly name = 'UnknownUser';
}

/** `webhook remove|redeliver ID` naming no subscription: exit 1, as for an unknown user. */
export class UnknownSubscription extends Error {
  override readonly name = 'UnknownSubscription';
}
