/** The executor's contract: programs, tests, limits, verdicts and results. */
package org.iterpref.common.execution;
