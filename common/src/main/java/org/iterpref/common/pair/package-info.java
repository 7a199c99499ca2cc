/**
 * Preference pairs: the error region of a rejected completion ({@link
 * org.iterpref.common.pair.ErrorRegionFinder}), its code-point spans and the markdown fences
 * around code in model completions.
 */
package org.iterpref.common.pair;
