/** One options resolver for every public options object. */
export { LabelwiseOptionsError, isLabelwiseOptionsError } from './error.js';
export { object, resolveWith, rejectUnknown, nearest, editDistance, invalid, isPlainObject, optionName, describeValue, type Field, type Resolved, type ResolvedSpec, type Spec } from './resolve.js';
export { integer, number, boolean, string, oneOf, stringArray, falseOr, perKey, required, custom, type Range } from './fields.js';
