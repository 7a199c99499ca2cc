/** Client errors every service reports the same way: RFC 9457 problems naming the fields at fault. */
package org.iterpref.common.problem;
