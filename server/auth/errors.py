from server.kit.errors import Conflict, NotPermitted, Unauthenticated


class InvalidCredentials(Unauthenticated):
    code = "invalid_credentials"


class InvalidRefreshToken(Unauthenticated):
    code = "invalid_refresh_token"


class UsernameTaken(Conflict):
    code = "username_taken"


class PortalForClients(NotPermitted):
    code = "portal_for_clients"


class WorkspaceForStaff(NotPermitted):
    code = "workspace_for_staff"


class OwnUserDeactivation(Conflict):
    code = "own_user"
