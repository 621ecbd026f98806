/**
 * zod compiles a parser per object schema on its first use (new Function); a CLI run parses each schema a
 * handful of times, so zod's interpreted path costs less (~30 ms of CPU in `create-backend-arch --yes`).
 * zod reads the setting when a schema is built, so cli/main.ts imports this module first, before any
 * module that builds one.
 */
import { z } from 'zod';

z.config({ jitless: true });
