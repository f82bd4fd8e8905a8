import Foundation

/// An exclusive `flock(2)` on a file or a directory, taken without waiting and held until
/// `release()` or until the lock is freed. The kernel drops it when its holder ends, however it
/// ends, so no lock can go stale. The campaign's lock and each run's writer lock are made of it.
public final class FileLock {
    /// What trying to take a lock gave.
    public enum Attempt {
        case acquired(FileLock)
        /// Another open of the file holds it.
        case held
        /// The file system cannot lock this file (NFS emulates `flock` with write locks, which a
        /// directory cannot take); the system's reason.
        case unsupported(String)
    }

    /// The descriptor the lock is held on; nil once released.
    public private(set) var descriptor: Int32?

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { release() }

    /// Opens `path` with `flags` (close-on-exec added; `O_CREAT` makes it with `mode`) and tries
    /// to lock it. Throws only when `path` cannot be opened, naming it as `what`.
    public static func attempt(_ path: String, flags: Int32, mode: mode_t = 0o644, what: String) throws -> Attempt {
        let descriptor = open(path, flags | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw FileError(path: path, reason: "cannot open \(what): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let error = errno
            close(descriptor)
            return error == EWOULDBLOCK ? .held : .unsupported(String(cString: strerror(error)))
        }
        return .acquired(FileLock(descriptor: descriptor))
    }

    /// Lets another process take the lock. Releasing twice does nothing.
    public func release() {
        guard let descriptor else { return }
        close(descriptor)
        self.descriptor = nil
    }
}
