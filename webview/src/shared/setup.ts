/**
 * Imported first by every panel entry (before anything that builds schemas): the pages' CSP
 * forbids eval, so zod must not probe for it (the probe is reported as a CSP violation even
 * though zod catches it) and validates without compiled parsers.
 */
import { config } from "zod";

config({ jitless: true });
