// The Fastify settings that shape how requests are read and validated, shared by the service and the
// benchmark's bare-Fastify ceiling so that the two always compare like with like.
import type { FastifyServerOptions } from 'fastify';
import { isRfc3339 } from '../org/rfc3339.js';

/** 413-100 above this many bytes of body. */
export const MAX_BODY_BYTES = 64 * 1024;

export const API_SERVER_OPTIONS = {
  bodyLimit: MAX_BODY_BYTES,
  // 75 ids of 18 digits and their commas are 1,424 characters; Fastify's default limit is 100.
  routerOptions: { maxParamLength: 2048 },
  // Unknown attributes must stay to be reported (400-147), never be stripped; types are never coerced;
  // every error is collected so the one the contract's precedence names can be chosen.
  ajv: {
    customOptions: {
      removeAdditional: false,
      coerceTypes: false,
      allErrors: true,
      useDefaults: false,
      formats: { rfc3339: isRfc3339 },
    },
  },
} satisfies FastifyServerOptions;
