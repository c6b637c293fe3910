// Open MPI's C API as Muse's data-parallel training uses it. Open MPI spells its handles
// (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, MPI_IN_PLACE, MPI_ERRORS_RETURN) as macros over global
// structs, which Swift cannot import, so every call Muse makes is wrapped here on the world
// communicator. Each returns an MPI error code (MPI_SUCCESS = 0) unless said otherwise.
#include <mpi.h>
#include <stdint.h>

// MPI_Init without arguments, then errors are returned to the caller instead of aborting the job.
static inline int muse_mpi_init(void) {
    int code = MPI_Init(NULL, NULL);
    if (code != MPI_SUCCESS) return code;
    return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

// 1 once MPI_Init has run (in this process), else 0.
static inline int muse_mpi_is_initialized(void) {
    int flag = 0;
    MPI_Initialized(&flag);
    return flag;
}

// 1 once MPI_Finalize has run, else 0.
static inline int muse_mpi_is_finalized(void) {
    int flag = 0;
    MPI_Finalized(&flag);
    return flag;
}

static inline int muse_mpi_finalize(void) { return MPI_Finalize(); }

// This process's rank in the world communicator (or -1 on error).
static inline int muse_mpi_rank(void) {
    int rank = -1;
    if (MPI_Comm_rank(MPI_COMM_WORLD, &rank) != MPI_SUCCESS) return -1;
    return rank;
}

// Number of processes in the world communicator (or -1 on error).
static inline int muse_mpi_size(void) {
    int size = -1;
    if (MPI_Comm_size(MPI_COMM_WORLD, &size) != MPI_SUCCESS) return -1;
    return size;
}

// Starts summing `count` floats over all ranks in place; completes through muse_mpi_test.
static inline int muse_mpi_iallreduce_sum_float(float *values, int count, MPI_Request *request) {
    return MPI_Iallreduce(MPI_IN_PLACE, values, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, request);
}

// Starts summing `count` doubles over all ranks in place; completes through muse_mpi_test.
static inline int muse_mpi_iallreduce_sum_double(double *values, int count, MPI_Request *request) {
    return MPI_Iallreduce(MPI_IN_PLACE, values, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, request);
}

// Starts copying `count` bytes from rank `root` to every rank; completes through muse_mpi_test.
static inline int muse_mpi_ibroadcast_bytes(void *bytes, int count, int root, MPI_Request *request) {
    return MPI_Ibcast(bytes, count, MPI_BYTE, root, MPI_COMM_WORLD, request);
}

// Sets *done to 1 when the request has completed (and frees it), else 0.
static inline int muse_mpi_test(MPI_Request *request, int *done) {
    return MPI_Test(request, done, MPI_STATUS_IGNORE);
}

// MPI's text for an error code, into `text` (at most `capacity` bytes, NUL-terminated).
static inline void muse_mpi_error_string(int code, char *text, int capacity) {
    char buffer[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(code, buffer, &length) != MPI_SUCCESS) length = 0;
    if (capacity <= 0) return;
    if (length >= capacity) length = capacity - 1;
    for (int i = 0; i < length; i++) text[i] = buffer[i];
    text[length] = 0;
}
