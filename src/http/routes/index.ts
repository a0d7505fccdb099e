import type { Route } from '../route.js';
import { batchRoutes } from './batch.js';
import { classificationRoutes } from './classification.js';
import { managementRoutes } from './management.js';

/** The `/v1` routes of spec §3–7 and §10 (the OpenAPI document is added over whatever routes a core serves). */
export const defaultRoutes: readonly Route[] = Object.freeze([...classificationRoutes, ...managementRoutes, ...batchRoutes]);
