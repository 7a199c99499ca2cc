/**
 * Evaluation arithmetic: the unbiased pass@k estimator ({@link org.iterpref.common.eval.PassAtK}).
 */
package org.iterpref.common.eval;
