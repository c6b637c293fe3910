// The LAPACK routines Muse calls, as OpenBLAS exports them (Debian builds OpenBLAS with LAPACK
// but without LAPACKE, so these are the Fortran symbols). Fortran ABI: every argument by pointer,
// and gfortran appends one hidden length argument (size_t) per CHARACTER argument, in order.
#include <stddef.h>

// Eigenvalues (ascending, in w) and, for jobz = 'V', orthonormal eigenvectors (overwriting a,
// column-major) of a real symmetric n x n matrix, by divide and conquer. A query with
// lwork = liwork = -1 returns the optimal sizes in work[0] and iwork[0].
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork,
             int *info, size_t jobz_len, size_t uplo_len);
